/** The executable's entry: the program of ./program.ts, with the command named loaded, run on this process's arguments. */
import { buildProgram } from './program.js';

await (await buildProgram(process.argv[2])).parseAsync(process.argv);
