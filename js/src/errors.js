// CairnError: every failure the package reports. `code` is stable (the codes
// of DESIGN.md); `message` says what is wrong and where.
export const ErrorCodes = Object.freeze([
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'PARSE_ERROR',
  'CORRUPTION',
  'IO_ERROR',
  'LOCKED',
  'CLOSED',
  'ALREADY_EXISTS',
  'INTERNAL',
]);

export class CairnError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.name = 'CairnError';
    this.code = code;
  }
}

export function invalid(message) {
  return new CairnError('INVALID_ARGUMENT', message);
}
