/** `blindbroker member …`: the member toolkit, run on the member's own premises. */
import { Command } from 'commander';
import { memberConsentCommand } from './member-consent.js';
import { memberOpenCommand } from './member-open.js';
import { memberPrepareCommand } from './member-prepare.js';
import { memberReceiptsCommand } from './member-receipts.js';
import { memberQueryCommand } from './member-query.js';
import { memberScreenCommand } from './member-screen.js';
import { memberSubmitCommand } from './member-submit.js';

export function memberCommand(): Command {
  return new Command('member')
    .description('member toolkit, run at the lender: prepare, submit, consent, query, screen, open, receipts')
    .addCommand(memberPrepareCommand())
    .addCommand(memberOpenCommand())
    .addCommand(memberSubmitCommand())
    .addCommand(memberConsentCommand())
    .addCommand(memberQueryCommand())
    .addCommand(memberScreenCommand())
    .addCommand(memberReceiptsCommand());
}
