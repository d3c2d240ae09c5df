import { t } from '@lingui/core/macro';
import { Link } from '../lib/router.jsx';
import { canWriteDiary, isOwner } from '../lib/session.js';

export function More({ patient }) {
  const links = [
    ['/history', t`History`, true],
    ['/pens', t`Epinephrine pens and the carry check`, Boolean(patient)],
    ['/card', t`Emergency card`, Boolean(patient)],
    ['/trends', t`Trends and what came before flares`, Boolean(patient)],
    ['/team', t`Care team and invitations`, Boolean(patient)],
    ['/audit', t`Who saw the record`, isOwner(patient)],
    ['/profile', t`Profile, diagnosis and time zone`, Boolean(patient)],
    ['/catalogue', t`Your own symptoms and triggers`, canWriteDiary(patient)],
    ['/patients/new', t`Add a patient`, true],
    ['/invitations/accept', t`Answer an invitation`, true],
    ['/settings', t`Settings, notifications and sign out`, true],
    ['/account', t`Your account and password`, true],
  ];
  return (
    <>
      <h1>{t`More`}</h1>
      <ul class="list list--nav">
        {links
          .filter(([, , shown]) => shown)
          .map(([href, label]) => (
            <li key={href} class="item">
              <Link href={href}>{label}</Link>
            </li>
          ))}
      </ul>
    </>
  );
}
