// Entry point of the `quant` command (apps/cli/bin/quant.mjs loads it through tsx).
import { runCli } from './cli';

process.exitCode = await runCli(process.argv);
