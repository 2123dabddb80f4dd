/** Texts of the rule `clock-skew` (system); keys start with the rule id. */
export const en = {
  'clock-skew.title': 'Clock skew between application time (asctime) and the docker timestamp',
  'clock-skew.missing': 'no log record carries both an application time and a docker --timestamps stamp',
  'clock-skew.tz_offset':
    '{service}: application time is {hours:int} h off the docker stamp in {skewed:int} of {n:int} records: the container logs local time, not UTC (a TZ is set), so DATE() of its times lands on the wrong day near midnight',
  'clock-skew.drift': '{service}: application time differs from the docker stamp by {avg:number} s on average ({lo:int}..{hi:int} s) in {skewed:int} of {n:int} records',
  'clock-skew.hyp.local_time': 'Containers log local time instead of UTC: per-day counts and report windows shift',
  'clock-skew.hyp.drift': 'Container clocks drift from the docker host clock',
  'clock-skew.todo.utc': 'Run the containers in UTC (remove TZ from their environment)',
  'clock-skew.todo.resync': 'Resynchronise the Docker host clock (Docker Desktop/WSL2 drifts after sleep) and watch the drift',
  'clock-skew.where.host': 'Docker host (WSL2: `wsl --shutdown` or hwclock -s)',
  'clock-skew.check.agree': 'Application and docker clocks agree within {s:int} s in the next block',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'clock-skew.title': 'Uhrenabweichung zwischen Anwendungszeit (asctime) und Docker-Zeitstempel',
  'clock-skew.missing': 'kein Log-Eintrag trägt sowohl eine Anwendungszeit als auch einen Zeitstempel von docker --timestamps',
  'clock-skew.tz_offset':
    '{service}: die Anwendungszeit liegt in {skewed:int} von {n:int} Einträgen {hours:int} Std. neben dem Docker-Zeitstempel: der Container loggt Ortszeit statt UTC (TZ ist gesetzt), daher fällt DATE() seiner Zeiten kurz vor Mitternacht auf den falschen Tag',
  'clock-skew.drift': '{service}: die Anwendungszeit weicht in {skewed:int} von {n:int} Einträgen im Schnitt um {avg:number} s vom Docker-Zeitstempel ab ({lo:int}..{hi:int} s)',
  'clock-skew.hyp.local_time': 'Container loggen Ortszeit statt UTC: Tageszählungen und Report-Fenster verschieben sich',
  'clock-skew.hyp.drift': 'Die Uhren der Container laufen der Uhr des Docker-Hosts davon',
  'clock-skew.todo.utc': 'Container in UTC betreiben (TZ aus ihrer Umgebung entfernen)',
  'clock-skew.todo.resync': 'Uhr des Docker-Hosts neu synchronisieren (Docker Desktop/WSL2 driftet nach dem Ruhezustand) und die Abweichung überwachen',
  'clock-skew.where.host': 'Docker-Host (WSL2: `wsl --shutdown` oder hwclock -s)',
  'clock-skew.check.agree': 'Anwendungs- und Docker-Uhr stimmen im nächsten Block auf {s:int} s überein',
};
