// The list of common passwords a new password must not be: zxcvbn-ts's "passwords-common" dictionary
// (@zxcvbn-ts/language-common, about 49,000 leaked passwords by frequency), shipped with the package.
import { dictionary } from '@zxcvbn-ts/language-common';

let common: ReadonlySet<string> | undefined;

/** The form a password is compared in: compatibility-folded (full-width digits are digits) and lower case. */
function comparable(password: string): string {
  return password.normalize('NFKC').trim().toLowerCase();
}

/**
 * True when the password is on the list, ignoring case and width (`PASSWORD123`, `ｐａｓｓｗｏｒｄ１２３`).
 * The package unpacks its list when loaded (some 20 ms); the set compared against is built at the first check.
 */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common'].map((p) => comparable(String(p))));
  return common.has(comparable(password));
}
