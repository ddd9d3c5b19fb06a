// A logger that writes nothing, for tests: pino's, so it fits every log port of handoff (RoutingLogger,
// LiveLog, ErrorLog ...) as the server's logger does.
import { pino } from 'pino';

export const silentLog = pino({ level: 'silent' });
