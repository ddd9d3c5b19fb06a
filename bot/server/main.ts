// Entry point of `npm start`: configuration from the environment, then the service until SIGTERM/SIGINT.
import { ConfigError, loadConfig } from './config.ts';
import { createLogger, LogEvent } from './logger.ts';
import { startServer } from './start-server.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  // LOG_FORMAT=auto: readable lines for a person at a terminal, JSON lines for anything reading a pipe or file.
  const format = config.logFormat === 'auto' ? (process.stdout.isTTY ? 'pretty' : 'json') : config.logFormat;
  const logger = createLogger({ level: config.logLevel, format });

  let running;
  try {
    running = await startServer(config, logger);
  } catch (err) {
    // KnowledgeError reads `knowledge: faq/x.yaml:12:5 ...`; the problems were logged one by one as kb.load_failed.
    logger.fatal({ err }, `cannot start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  logger.info(
    { event: LogEvent.serverStarted, url: running.url, dataDir: config.dataDir, knowledgeDir: config.knowledgeDir },
    `listening on ${running.url}`,
  );

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C means "now".
      process.exit(1);
    }
    stopping = true;
    logger.info({ event: LogEvent.serverStopping, signal }, 'shutting down');
    try {
      await running.close();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error while shutting down');
      process.exit(1);
    }
  };
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
}

await main();
