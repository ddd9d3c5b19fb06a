// Entry of the balancer's child process: `balancer-main.ts <port> [<port>...]`; prints `{"port":N}` once listening.
import { startRoundRobinBalancer } from './round-robin-balancer.ts';

const ports = process.argv.slice(2).map(Number);
const { port } = await startRoundRobinBalancer(ports);
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => process.exit(0));
