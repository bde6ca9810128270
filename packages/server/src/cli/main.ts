// Entry point of the `periscope` command (bin/periscope.js imports this module).
import { processIo } from './io.js';
import { runCli } from './run.js';

const io = processIo();
const code = await runCli(process.argv.slice(2), io);
process.exitCode = code;
