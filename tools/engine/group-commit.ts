/**
 * Group commit of the emulator's checkpoints. Each step of an `up` asks for the whole state to be
 * written (before a create, so a killed run leaves it pending; after it, so the state holds it), and
 * the state grows with the stack: one write per request made the writes of a create of N resources
 * grow with N² (11.5 s of an 18.5 s create of 200 volumes and domains). Here a request is answered
 * by the first write that starts after it; the requests that arrive while a write runs share the
 * next one, which takes the state as it stands when it starts. So no step goes on before the state
 * on disk says what it needs, and the number of writes adapts to how long one takes.
 */
export class GroupCommit {
    /** The write running now, if any. */
    private running: Promise<void> | undefined;
    /** The write that will start when the running one ends, shared by everyone who asks meanwhile. */
    private next: Promise<void> | undefined;

    constructor(private readonly write: () => Promise<void>) {}

    /** Resolves when a write that started after this call has finished (rejects if that write failed). */
    commit(): Promise<void> {
        if (this.next) return this.next;
        // A failed earlier write is its own requesters' error; this request gets a write of its own.
        const before = this.running?.catch(() => undefined) ?? Promise.resolve();
        const mine: Promise<void> = before.then(() => {
            this.next = undefined;
            this.running = mine;
            return this.write();
        });
        this.next = mine;
        const clear = () => {
            if (this.running === mine) this.running = undefined;
        };
        mine.then(clear, clear);
        return mine;
    }

    /** Resolves when no write is running or waiting to run (their errors went to their requesters). */
    async idle(): Promise<void> {
        while (this.next || this.running) await (this.next ?? this.running)!.catch(() => undefined);
    }
}
