/** Messages of the command line (where practical: user errors and the run summary). */
export const en = {
} as const;

export const de: { [K in keyof typeof en]: string } = {
};
