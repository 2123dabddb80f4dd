/** Texts of the rule `reconnect-loops` (system); keys start with the rule id. */
export const en = {
  'reconnect-loops.title': 'Reconnect loops (MEXC WebSocket, Redis message loops)',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'reconnect-loops.title': 'Reconnect-Schleifen (MEXC-WebSocket, Redis-Message-Loops)',
};
