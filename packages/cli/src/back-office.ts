import type { EndOfDayOptions, EndOfDayReport, Resolution, ResolveRequest, Router } from '@tolem/router';

/** The router's back-office operations (issue 12), as the commands call them. */
export interface BackOffice {
  resolve(paymentId: string, request: ResolveRequest): Promise<Resolution>;
  endOfDay(providerId: string, date: string, options?: EndOfDayOptions): Promise<EndOfDayReport>;
}

export function backOffice(router: Router): BackOffice {
  return router as unknown as BackOffice;
}
