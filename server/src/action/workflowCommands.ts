// GitHub Actions' runner protocol, as its workflow-commands documentation states it: `::name key=value,…::message`
// lines on stdout (annotations, stop-commands) and the environment files ($GITHUB_OUTPUT: `name=value` lines, or
// `name<<DELIMITER` … `DELIMITER` for a value of several lines). Pure: text in, text out.
import { randomUUID } from 'node:crypto';

/** A command's message: `%`, CR and LF would end or corrupt the command, so they are percent-encoded. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A command's property value: as a message, and `:` and `,`, which separate the command and its properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export type Properties = Readonly<Record<string, string | number | undefined>>;

/** `::name key=value,…::message`, every part escaped; properties without a value are left out. */
export function workflowCommand(name: string, properties: Properties, message: string): string {
  const props = Object.entries(properties)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${name}${props === '' ? '' : ` ${props}`}::${escapeData(message)}`;
}

export type AnnotationLevel = 'error' | 'warning' | 'notice';

/** Where an annotation points: 1-based lines and columns, as the runner takes them. */
export interface AnnotationPlace {
  file?: string;
  line?: number;
  col?: number;
  endLine?: number;
  endColumn?: number;
  title?: string;
}

export function annotation(level: AnnotationLevel, message: string, place: AnnotationPlace = {}): string {
  const { file, line, col, endLine, endColumn, title } = place;
  return workflowCommand(level, { file, line, col, endLine, endColumn, title }, message);
}

/**
 * Text that is not ours (file names, the CLI's words about a repository's files) printed to the log without the
 * runner reading any line of it as a command: stop-commands with a token nobody can guess, then the text, then resume.
 */
export function verbatim(text: string, token: string = randomUUID()): string {
  if (text === '') return '';
  return `::stop-commands::${token}\n${text.endsWith('\n') ? text : `${text}\n`}::${token}::\n`;
}

/**
 * One entry of $GITHUB_OUTPUT: `name=value` for one line, else the heredoc form with a random delimiter (refused
 * when the value holds it, which only a collision could cause).
 */
export function outputEntry(name: string, value: string, delimiter: string = `ghadelimiter_${randomUUID()}`): string {
  if (!/[\r\n]/.test(value)) return `${name}=${value}\n`;
  if (value.includes(delimiter)) throw new Error(`the value of output '${name}' contains its delimiter`);
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}
