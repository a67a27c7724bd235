// Dockerfile / Containerfile references via dockerfile-ast. (Being written.)
import type { FileNote, ImageReference } from './types';

export function extractDockerfile(_text: string): { references: ImageReference[]; notes: FileNote[] } {
  return { references: [], notes: [] };
}
