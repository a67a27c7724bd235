// Command ids (package.json contributes.commands lists the same six; test/unit/package.test.ts checks).
export const COMMANDS = {
  pinWorkspace: 'digestPin.pinWorkspace',
  updateWorkspace: 'digestPin.updateWorkspace',
  lockWorkspace: 'digestPin.lockWorkspace',
  updateLock: 'digestPin.updateLock',
  refresh: 'digestPin.refresh',
  showOutput: 'digestPin.showOutput',
} as const;
