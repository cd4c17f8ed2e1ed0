// Exit statuses of every command (CLI.md): 0 success, 1 input refused, 2 wrong usage.

export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

/** Thrown by a command when the input was refused; main prints the message and exits 1. */
export class RefusedError extends Error {
  readonly exitCode = EXIT_REFUSED;
}

/** Thrown by a command for wrong usage; main prints the message and exits 2. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
}
