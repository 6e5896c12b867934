import { createContext, useContext } from 'react';
import type { PreviewTarget } from './use-table-preview';

/** Opens the preview drawer on a file from anywhere in the app (a pane, a job's rejects file). */
export const PreviewOpenerContext = createContext<(target: PreviewTarget) => void>(() => {});

export const usePreviewOpener = () => useContext(PreviewOpenerContext);
