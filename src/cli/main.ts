/** The executable's entry: the program of ./program.ts, run on this process's arguments. */
import { buildProgram } from './program.js';

await buildProgram().parseAsync(process.argv);
