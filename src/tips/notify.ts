// The mail that tells the desk a tip arrived: the publication's name and
// nothing else (no content, no size, no time but the mail's own), so that a
// mailbox or a relay that reads it learns only that the tip line was used.

/** What the tip line needs to mail the desk, declared here; delivery's transactional mailer implements it. */
export interface TipMailer {
  send(mail: { from: string; to: string; subject: string; text: string }): Promise<void>;
}

/** Mails every desk member that a tip arrived; a failure is reported to `onError`, never to the source. */
export async function notifyDesk(
  mailer: TipMailer,
  publication: { name: string; from: string },
  desk: ReadonlyArray<{ email: string }>,
  dashboardUrl: string,
  onError: (err: unknown) => void,
): Promise<void> {
  for (const member of desk) {
    try {
      await mailer.send({
        from: publication.from,
        to: member.email,
        subject: `A tip arrived for ${publication.name}`,
        text: `A tip arrived for ${publication.name} through the tip line.\n\nRead it in the dashboard: ${dashboardUrl}\n`,
      });
    } catch (err) {
      onError(err);
    }
  }
}
