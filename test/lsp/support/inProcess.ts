// The language server in the test process (as microsoft/compose-language-service's TestConnection does): two
// in-memory streams, the server's connection on one end (createConnection with StreamMessageReader/Writer, started by
// startServer from server/src/server.ts) and the test's client on the other (support/client.ts's wireClient, so the
// same helpers and waits work). The server's debounce and batch delays run on fake timers: waiting lets fake time
// pass as soon as the messages sent so far have been handled, and settle() runs every delay out, so "nothing else
// happens" is shown by running the clock past every delay instead of sleeping. Registry clients come from a
// recording factory (counts, failures, hangs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
  createConnection,
  createProtocolConnection,
  type Connection,
} from 'vscode-languageserver/node';
import { DocumentReader, type ReaderOptions } from '../../../server/src/lsp/reader';
import { startServer, type ServerOptions } from '../../../server/src/server';
import { initialize, serverEnv, wireClient, type ClientOptions, type LspClient } from './client';
import { FakeTimers, turns } from './fakeTimers';
import { recordingRegistry, type RecordingRegistry } from './recordingRegistry';

export {
  PULL_CAPABILITIES,
  PUSH_CAPABILITIES,
  applyWorkspaceEdit,
  changeSettings,
  codeActionsAt,
  codes,
  editsFor,
  fileUri,
  hoverAt,
} from './client';

export interface InProcessOptions extends Omit<ClientOptions, 'via' | 'nodeArgs'> {
  /**
   * `fake` (default): the server's clock is the fake timers' (it moves only when they advance). `wall`: the real
   * clock plus the fake time advanced, for tests that compare ages with what a real registry answered.
   */
  clock?: 'fake' | 'wall';
  /** Passed to startServer as they are (after the harness's timers, clock, registry factory and env). */
  server?: Partial<ServerOptions>;
  /** The server's reader thread (big documents): threshold, budget, gate. */
  reader?: ReaderOptions;
}

export interface InProcessClient extends LspClient {
  timers: FakeTimers;
  registry: RecordingRegistry;
  /** The server's end of the connection. */
  server: Connection;
  /** The server's reader thread (settle() waits for its reads). */
  reader: DocumentReader;
  /** Set when the server's connection closed or failed (a server that "exited"). */
  closed: boolean;
  /**
   * Resolves when every message sent so far has been handled and what it made the server do (requests to the
   * client, notifications) has arrived, without moving the clock.
   */
  quiet(): Promise<void>;
  /** quiet(), then fires every timer due within `ms` of fake time (quiet between them). */
  advance(ms: number): Promise<void>;
  /**
   * Runs everything out: no message unanswered, no registry call in flight, no timer pending (each fired in turn,
   * however far ahead). After it, anything the server would still do on its own has been done.
   */
  settle(): Promise<void>;
}

/** Used by quiet(): a request the server has no handler for, answered (with an error) in order after the rest. */
const BARRIER = 'digestPinTest/barrier';

export async function startClient(options: InProcessOptions = {}): Promise<InProcessClient> {
  const home = mkdtempSync(join(tmpdir(), 'digest-pin-lsp-'));
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const server = createConnection(
    ProposedFeatures.all,
    new StreamMessageReader(toServer),
    new StreamMessageWriter(toClient),
  );
  const connection = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  const timers = new FakeTimers();
  const registry = recordingRegistry();
  const reader = new DocumentReader(options.reader);
  let activity = 0;

  async function quiet(): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      const before = activity;
      // Messages are handled in order: when the barrier is answered, everything sent before it has been handled.
      await connection.sendRequest(BARRIER).catch(() => undefined);
      await turns(2);
      if (activity === before) return;
    }
    throw new Error('the server never went quiet');
  }
  timers.settle = quiet;

  const client = wireClient(connection, options, {
    home,
    activity: () => {
      activity++;
    },
    diagnose: () =>
      `fake time: ${timers.elapsed} ms, ${timers.pending} timers pending, ${registry.inFlight()} registry calls in flight, ${reader.busy} reads`,
    // While a test waits, time passes: the next timer fires once the server has handled what it was sent (a burst
    // of changes arrives before its debounce ends, as it would in real time); with no timer pending, real I/O
    // (the registry, files) gets 10 ms.
    async step() {
      await quiet();
      if (timers.pending > 0) await timers.runNext();
      else await new Promise((r) => setTimeout(r, 10));
    },
    async stop() {
      try {
        await Promise.race([connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      } catch {
        // already gone
      }
      // No `exit`: vscode-languageserver answers it with process.exit, which would end the test run.
      connection.dispose();
      server.dispose();
      await reader.close();
      toServer.end();
      toClient.end();
      rmSync(home, { recursive: true, force: true });
    },
  });

  const harness: InProcessClient = Object.assign(client, {
    timers,
    registry,
    reader,
    server,
    closed: false,
    quiet,
    async advance(ms: number) {
      await quiet();
      await timers.advance(ms);
      await quiet();
    },
    async settle() {
      for (let round = 0; round < 1000; round++) {
        await quiet();
        if (registry.inFlight() > 0) await registry.idle();
        else if (reader.busy > 0) await reader.idle();
        else if (timers.pending > 0) await timers.runNext();
        else return;
      }
      throw new Error(`still busy after 1000 rounds: ${timers.pending} timers, ${registry.inFlight()} calls`);
    },
  });
  const markClosed = (): void => {
    harness.closed = true;
  };
  server.onExit(markClosed);
  connection.onError(markClosed);
  connection.onClose(markClosed);

  startServer(server, {
    timers,
    now: options.clock === 'wall' ? () => Date.now() + timers.elapsed : timers.now,
    createRegistry: registry.create,
    env: { ...serverEnv(home), ...options.env },
    reader,
    ...options.server,
  });
  // processId null: vscode-languageserver would otherwise poll that process every 3 s, keeping the test run alive.
  await initialize(client, options, null);
  await quiet();

  return harness;
}
