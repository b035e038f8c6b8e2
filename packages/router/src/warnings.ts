/** What the router warns about at start-up: settings that work but leave something unprotected. */
export type RouterWarningCode = 'TOLEM_CALLBACKS_WITHOUT_TOKEN' | 'TOLEM_VOUCHER_CODES_NOT_KEPT';

/**
 * A start-up warning. Given to `onError` (context `source: 'startup'`) or, without one, emitted as a
 * process warning of type `TolemRouterWarning` with this `code`; each code at most once per router.
 */
export class RouterWarning extends Error {
  readonly code: RouterWarningCode;

  constructor(code: RouterWarningCode, message: string) {
    super(message);
    this.name = 'TolemRouterWarning';
    this.code = code;
  }
}
