// Command ids (package.json contributes.commands lists the same four; test/unit/package.test.ts checks).
export const COMMANDS = {
  pinWorkspace: 'digestPin.pinWorkspace',
  updateWorkspace: 'digestPin.updateWorkspace',
  refresh: 'digestPin.refresh',
  showOutput: 'digestPin.showOutput',
} as const;
