/** Texts of the rule `clock-skew` (system); keys start with the rule id. */
export const en = {
  'clock-skew.title': 'Clock skew between application time (asctime) and the docker timestamp',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'clock-skew.title': 'Uhrenabweichung zwischen Anwendungszeit (asctime) und Docker-Zeitstempel',
};
