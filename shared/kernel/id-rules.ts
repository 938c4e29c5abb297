import { z } from 'zod';

/**
 * What an id may be made of, wherever a caller names one (a path segment, a field of a body):
 * RFC 3986's unreserved characters, letters, digits, `-`, `.`, `_` and `~`, which need no escaping
 * in a URL and contain none of the characters Cosmos DB refuses in a document id (`/`, `\`, `?`,
 * `#`); and never `.` or `..` alone, which a URL resolves as a path step. The platform's own ids
 * (`c_...`, `tx_...`, `hold_...`, `store-1.till-3`) all follow it, so do SKUs such as `TSHIRT-M`.
 */
export const ID_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9._~-]+$/;
export const ID_RULE = 'may contain only letters, digits, "-", ".", "_" and "~"';

/**
 * Coupon and gift card codes as people type them: letters, digits, hyphens and spaces (both are
 * ignored when the code is read).
 */
export const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 -]*$/;
export const CODE_RULE = 'may contain only letters, digits, hyphens and spaces';

/** An id in a URL path: exactly as sent, nothing trimmed. */
export const idParam = (max = 128) => z.string().min(1).max(max).regex(ID_PATTERN, ID_RULE);

/** An id in a request body: surrounding blanks are forgiven, none inside. */
export const idField = (max = 64) => z.string().trim().min(1).max(max).regex(ID_PATTERN, ID_RULE);

/** A coupon or gift card code in a request body. */
export const codeField = (max = 64) => z.string().trim().min(1).max(max).regex(CODE_PATTERN, CODE_RULE);
