// The reader thread (entry of dist/reader.js; from source under tsx in tests): reads one document at a time, as the
// language server's own IncrementalExtractor would read it from scratch, and sends back the result and the parts, so
// the next edit of the document is read incrementally on the server's thread again. lsp/reader.ts starts it.
import { parentPort, workerData } from 'node:worker_threads';
import { IncrementalExtractor } from '../references/incremental';
import type { ReadReply, ReadRequest, ReaderData } from './reader';

const data = workerData as ReaderData;

function read(request: ReadRequest): ReadReply {
  // Tests hold the read here (deterministically "slow") until they release the gate: [1] says a read is waiting.
  if (data.gate !== undefined) {
    Atomics.store(data.gate, 1, 1);
    Atomics.notify(data.gate, 1);
    Atomics.wait(data.gate, 0, 0);
  }
  try {
    const extractor = new IncrementalExtractor();
    const result = extractor.extract(request.path, request.text, request.options);
    return { id: request.id, result, state: extractor.snapshot() };
  } catch (error) {
    return { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
}

parentPort?.on('message', (request: ReadRequest) => parentPort?.postMessage(read(request)));
// Loaded: the time budget of the first read counts from here, not from the start of the thread.
parentPort?.postMessage({ ready: true });
