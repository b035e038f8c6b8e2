/**
 * ResponseStatus codes and the Russian messages the provider sends with them (spec "Список кодов",
 * protocol §4). The simulator only produces codes from this table unless a fault asks for another.
 *
 * Not the client's VECTRAFIN_STATUS_TABLE, on purpose: the simulator is written from the provider's
 * documentation, so a wrong row in the client fails a test instead of being served back to it.
 * status-codes.test.ts keeps this list equal to protocol §4, as the client's test keeps its table.
 */
export const STATUS_MESSAGES: Readonly<Record<number, string>> = {
  1: 'Транзакция создана',
  2: 'Транзакция в процессе отправки к поставщику',
  3: 'Транзакция создана у поставщика',
  4: 'Запрос обрабатывается',
  5: 'Запрос обрабатывается',
  9: 'Транзакция в процессе получения статуса',
  10: 'Транзакция успешна',
  [-1]: 'Ошибка авторизации',
  [-2]: 'Недостаточно средств для транзакции',
  [-3]: 'Транзакция отменена',
  [-4]: 'Транзакция не найдена',
  [-100]: 'Неверный формат аккаунта по услуге',
  [-105]: 'Аккаунт не найден',
  [-110]: 'Транзакция невозможна по запрету оператора',
  [-111]: 'Пополнение анонимного кошелька запрещено',
  [-115]: 'Транзакция невозможна по техническим причинам',
  [-120]: 'Аккаунт неактивен',
  [-200]: 'Сумма в недопустимом диапазоне',
  [-201]: 'Сумма мала',
  [-202]: 'Сумма велика',
  [-203]: 'Не удалось проверить счет',
  [-300]: 'Неизвестная ошибка оператора',
  [-500]: 'Ошибка запроса',
  [-501]: 'Сервисный маршрут не найден',
  [-502]: 'Обменный курс не найден',
  [-503]: 'Ошибка при записи платежа в БД',
};

/** Codes that end a payment for good (the "Final" column). */
export const FINAL_CODES: ReadonlySet<number> = new Set([
  10, -100, -105, -110, -111, -115, -120, -200, -201, -202, -203, -300,
]);

/** Pending payment codes a progression may pass through. */
export const PENDING_CODES: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 9]);

/** Final failures a payment may end in. */
export const FAILURE_CODES: ReadonlySet<number> = new Set([...FINAL_CODES].filter((code) => code !== 10));

export const SUCCESS = 10;

export function statusMessage(code: number): string {
  return STATUS_MESSAGES[code] ?? 'Неизвестный статус';
}
