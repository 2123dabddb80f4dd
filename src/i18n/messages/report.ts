/** Words of the report templates, helpers and charts (headings, table labels, chart titles). */
export const en = {
} as const;

export const de: { [K in keyof typeof en]: string } = {
};
