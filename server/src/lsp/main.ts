// Entry of dist/server.js: the transport (--stdio, --node-ipc, --socket=N) comes from the command line, as
// vscode-languageserver's createConnection() reads it.
import { main } from '../server';

main();
