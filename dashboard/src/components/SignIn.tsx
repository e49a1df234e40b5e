import { useState, type FormEvent } from 'react';
import { useApolloClient } from '@apollo/client/react';
import { useAuthState, useLive } from '../live/LiveContext.tsx';
import { Field } from './Field.tsx';

/**
 * Asks for an access token once the gateway has refused a request without one (it runs with
 * AUTH_TOKENS). After signing in, the pages load again and the live feed reconnects.
 */
export function SignIn() {
  const { auth, feed } = useLive();
  const client = useApolloClient();
  const { required, token } = useAuthState();
  const [value, setValue] = useState('');
  if (!auth || !required) return null;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!auth || !value.trim()) return;
    auth.signIn(value.trim());
    setValue('');
    feed?.reconnectNow();
    await client.refetchQueries({ include: 'active' });
  }

  return (
    <section className="panel sign-in" aria-labelledby="sign-in-heading">
      <h2 id="sign-in-heading">{token ? 'That access token was refused' : 'This gateway needs an access token'}</h2>
      <p>It runs with AUTH_TOKENS: a viewer token reads and follows changes, an editor token also changes data.</p>
      <form className="entity-form" aria-label="Sign in" onSubmit={submit}>
        <div className="fields">
          <Field
            label="Access token"
            name="token"
            type="password"
            autoComplete="current-password"
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
        </div>
        <div className="actions">
          <button type="submit" className="primary">
            Sign in
          </button>
        </div>
      </form>
    </section>
  );
}

/** In the header while a token is in use. */
export function SignOut() {
  const { auth } = useLive();
  const client = useApolloClient();
  const { token } = useAuthState();
  if (!auth || !token) return null;
  return (
    <button
      type="button"
      className="sign-out"
      onClick={async () => {
        auth.signOut();
        await client.clearStore();
      }}
    >
      Sign out
    </button>
  );
}
