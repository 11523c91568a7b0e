/** Turn a socket error of a TCP connection attempt into "what failed" and "how to fix it". */
export function describeTcpError(error: NodeJS.ErrnoException, hostPort: string, listenHint: string): string {
    switch (error.code) {
        case "ECONNREFUSED":
            return `nothing listens on ${hostPort} (connection refused): ${listenHint}`;
        case "ENOTFOUND":
        case "EAI_AGAIN":
        case "EAI_NONAME":
            return `cannot resolve the host of ${hostPort} (${error.code}): check the host name in the URI`;
        case "EHOSTUNREACH":
        case "ENETUNREACH":
        case "ETIMEDOUT":
            return `cannot reach ${hostPort} (${error.code}): check the network path and firewalls`;
        case "ECONNRESET":
        case "EPIPE":
            return `${hostPort} closed the connection (${error.code}): check the daemon's logs and its listen settings`;
        default:
            return `cannot connect to ${hostPort}: ${error.message}`;
    }
}
