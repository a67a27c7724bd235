// Start the seeded registry by hand (for LSP / e2e work) and keep it running until killed:
//   node --import tsx test/integration/support/cli.ts [--auth none|htpasswd|token] [--proxy] [--json]
// Prints the registry address, credentials and every seeded reference; --json prints one JSON line instead.
import { parseArgs } from 'node:util';
import { startSeededSetup, type SeededSetup, type SetupAuth } from './setup';

const USAGE =
  'usage: node --import tsx test/integration/support/cli.ts [--auth none|htpasswd|token] [--proxy] [--json]';

function describeSetup(setup: SeededSetup): Record<string, unknown> {
  const f = setup.fixtures;
  return {
    host: setup.host,
    url: `http://${setup.host}`,
    registry: setup.registry.host,
    proxy: setup.proxy?.host,
    evilOrigin: setup.proxy?.evil.url,
    tokenRealm: setup.tokenServer?.realm,
    tokenService: setup.tokenServer?.service,
    credentials: setup.credentials,
    dockerConfig: setup.dockerConfigDir,
    dataDir: setup.registry.dir,
    references: {
      dockerImage: { ref: f.dockerImage.ref, digest: f.dockerImage.digest },
      ociImage: { ref: f.ociImage.ref, digest: f.ociImage.digest },
      ociIndex: {
        ref: f.ociIndex.ref,
        digest: f.ociIndex.digest,
        platforms: Object.fromEntries(
          f.ociIndex.children.map((c) => [
            [c.platform.os, c.platform.architecture, c.platform.variant].filter(Boolean).join('/'),
            c.digest,
          ]),
        ),
      },
      dockerList: {
        ref: f.dockerList.ref,
        digest: f.dockerList.digest,
        platforms: Object.fromEntries(
          f.dockerList.children.map((c) => [
            [c.platform.os, c.platform.architecture, c.platform.variant].filter(Boolean).join('/'),
            c.digest,
          ]),
        ),
      },
      drift: { ref: f.drift.ref, oldDigest: f.drift.oldDigest, newDigest: f.drift.newDigest },
      gone: { ref: f.gone.ref, deletedDigest: f.gone.digest, tagDigest: f.gone.tagDigest },
    },
  };
}

function printHuman(setup: SeededSetup): void {
  const f = setup.fixtures;
  const lines = [
    `registry   ${setup.registry.host}${setup.proxy ? `  (fault proxy ${setup.proxy.host}, evil origin ${setup.proxy.evil.url})` : ''}`,
    setup.tokenServer
      ? `auth       token: realm ${setup.tokenServer.realm}, service ${setup.tokenServer.service} (anonymous pull allowed)`
      : undefined,
    setup.credentials
      ? `login      ${setup.credentials.username} / ${setup.credentials.password}  (DOCKER_CONFIG=${setup.dockerConfigDir})`
      : undefined,
    '',
    `docker image   ${f.dockerImage.ref}  ${f.dockerImage.digest}`,
    `oci image      ${f.ociImage.ref}  ${f.ociImage.digest}`,
    `oci index      ${f.ociIndex.ref}  ${f.ociIndex.digest}`,
    ...f.ociIndex.children.map(
      (c) =>
        `  ${[c.platform.os, c.platform.architecture, c.platform.variant].filter(Boolean).join('/').padEnd(15)}${c.digest}`,
    ),
    `docker list    ${f.dockerList.ref}  ${f.dockerList.digest}`,
    ...f.dockerList.children.map(
      (c) =>
        `  ${[c.platform.os, c.platform.architecture, c.platform.variant].filter(Boolean).join('/').padEnd(15)}${c.digest}`,
    ),
    `drift          ${f.drift.ref}  was ${f.drift.oldDigest}, now ${f.drift.newDigest}`,
    `gone           ${f.gone.ref.replace(/:[^:/]+$/, '')}@${f.gone.digest}  (deleted; tag ${f.gone.tag} is now ${f.gone.tagDigest})`,
    '',
    'Running until interrupted (Ctrl-C).',
  ];
  process.stdout.write(lines.filter((line) => line !== undefined).join('\n') + '\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      auth: { type: 'string', default: 'none' },
      proxy: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!['none', 'htpasswd', 'token'].includes(values.auth)) {
    process.stderr.write(`unknown --auth ${values.auth}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  // Signal handlers go in before anything is printed: whoever reads our output may stop us right away.
  let stopping = false;
  let setup: SeededSetup | undefined;
  const keepAlive = setInterval(() => undefined, 1 << 30); // runs until killed
  let stopped = false;
  const shutdown = () => {
    stopping = true;
    clearInterval(keepAlive);
    if (!setup || stopped) return; // a repeated signal must not kill us before the registry is stopped
    stopped = true;
    setup.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  try {
    setup = await startSeededSetup({ auth: values.auth as SetupAuth, proxy: values.proxy });
  } finally {
    if (!setup) clearInterval(keepAlive);
  }
  if (stopping) return shutdown();
  if (values.json) process.stdout.write(`${JSON.stringify(describeSetup(setup))}\n`);
  else printHuman(setup);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
