// The action's inputs (action.yml), read the way the runner passes them: INPUT_<NAME> environment variables, the name
// upper-cased with spaces as `_` (hyphens stay: INPUT_FAIL-ON). Pure: an environment in, inputs or the words of a
// usage error out.

export const COMMANDS = ['check', 'pin', 'lock'] as const;
export type ActionCommand = (typeof COMMANDS)[number];

export interface ActionInputs {
  /** `lock` is passed to the CLI as it is: the CLI says whether it knows it. */
  command: ActionCommand;
  paths: string[];
  update: boolean;
  /** Given to `check --fail-on`; the CLI checks the value. */
  failOn: string;
  /** Extra CLI arguments, split the way a shell splits words. */
  args: string[];
}

export type Env = Readonly<Record<string, string | undefined>>;
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** The environment variable that carries an input. */
export const inputVariable = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/** An input's value, trimmed; the default when it is unset or empty (a workflow that omits it). */
export function input(env: Env, name: string, fallback: string): string {
  const value = (env[inputVariable(name)] ?? '').trim();
  return value === '' ? fallback : value;
}

/** The YAML 1.2 core schema's booleans, as the Actions toolkit's getBooleanInput accepts them. */
export function parseBoolean(name: string, text: string): Parsed<boolean> {
  if (['true', 'True', 'TRUE'].includes(text)) return { ok: true, value: true };
  if (['false', 'False', 'FALSE'].includes(text)) return { ok: true, value: false };
  return { ok: false, error: `input '${name}' must be true or false, not '${text}'` };
}

/**
 * Words as a POSIX shell splits them, without expansions: whitespace separates, single quotes keep everything,
 * double quotes keep everything but `\"`, `\\`, `\$` and `` \` ``, a backslash outside quotes keeps the next
 * character (and a backslash-newline joins lines).
 */
export function splitWords(text: string): Parsed<string[]> {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { ok: false, error: 'unterminated single quote' };
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let value = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        const next = text[j + 1];
        if (text[j] === '\\' && next !== undefined && '"\\$`\n'.includes(next)) {
          if (next !== '\n') value += next;
          j++;
        } else value += text[j];
      }
      if (j >= text.length) return { ok: false, error: 'unterminated double quote' };
      word = (word ?? '') + value;
      i = j;
    } else if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined) return { ok: false, error: 'a backslash at the end' };
      if (next !== '\n') word = (word ?? '') + next;
      i++;
    } else word = (word ?? '') + c;
  }
  if (word !== null) words.push(word);
  return { ok: true, value: words };
}

export function readInputs(env: Env): Parsed<ActionInputs> {
  const command = input(env, 'command', 'check');
  if (!(COMMANDS as readonly string[]).includes(command))
    return { ok: false, error: `input 'command' must be one of ${COMMANDS.join(', ')}, not '${command}'` };
  const update = parseBoolean('update', input(env, 'update', 'false'));
  if (!update.ok) return update;
  const args = splitWords(input(env, 'args', ''));
  if (!args.ok) return { ok: false, error: `input 'args': ${args.error}` };
  // The action reads the CLI's JSON report: another format would leave it nothing to read.
  if (args.value.some((arg) => arg === '--format' || arg.startsWith('--format=')))
    return { ok: false, error: `input 'args' may not set --format: the action reads the JSON report itself` };
  return {
    ok: true,
    value: {
      command: command as ActionCommand,
      paths: input(env, 'paths', '.').split(/\s+/),
      update: update.value,
      failOn: input(env, 'fail-on', 'warning'),
      args: args.value,
    },
  };
}

/** The CLI's argv for these inputs: the command, its options, the extra arguments, then the paths. */
export function cliArgv(inputs: ActionInputs): string[] {
  const options: string[] = [];
  if (inputs.command === 'check') options.push('--format', 'json', '--fail-on', inputs.failOn);
  else if (inputs.update) options.push('--update');
  // lock's own Markdown report (the change table: old → new digest, build dates, files) is the step summary.
  if (inputs.command === 'lock') options.push('--format', 'markdown');
  // `--` only when needed: a path that starts with '-' would otherwise read as an option.
  const paths = inputs.paths.some((path) => path.startsWith('-')) ? ['--', ...inputs.paths] : inputs.paths;
  return [inputs.command, ...options, ...inputs.args, ...paths];
}
