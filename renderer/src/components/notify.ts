import { notifications } from '@mantine/notifications';
import { toClientError } from '../api/errors';

/** One red notification per failure: the plain-words title for the code, then the core's message. */
export function notifyError(e: unknown, context?: string): void {
  const err = toClientError(e);
  notifications.show({
    color: 'red',
    title: context ? `${context}: ${err.title}` : err.title,
    message: err.message,
    autoClose: 8000,
    withBorder: true,
  });
}

export function notifyInfo(title: string, message?: string): void {
  notifications.show({ color: 'teal', title, message: message ?? '', autoClose: 4000 });
}
