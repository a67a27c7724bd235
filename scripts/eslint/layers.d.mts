import type { Rule } from 'eslint';

export interface Layer {
  name: string;
  rank: number;
}
export function layerOf(path: string): Layer | null;
export function violation(from: Layer | null, to: Layer | null): string | null;
declare const rule: Rule.RuleModule;
export default rule;
