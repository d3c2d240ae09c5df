import { Link } from '../lib/router.jsx';

export function More() {
  return (
    <>
      <h1>More</h1>
      <ul class="list">
        <li class="item"><Link href="/pens">Epinephrine pens</Link></li>
        <li class="item"><Link href="/trends">Trends</Link></li>
        <li class="item"><Link href="/card">Emergency card</Link></li>
        <li class="item"><Link href="/team">Care team and invitations</Link></li>
        <li class="item"><Link href="/patients/new">Add a patient</Link></li>
        <li class="item"><Link href="/settings">Settings, notifications and sign out</Link></li>
      </ul>
    </>
  );
}
