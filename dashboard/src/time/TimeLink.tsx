import { Link, NavLink, type LinkProps, type NavLinkProps } from 'react-router';
import { withAsOf } from './as-of.ts';
import { useAsOf } from './ViewTime.tsx';

/** A link to a page of the dashboard that stays at the time shown: in the past, it carries `asOf`. */
export function TimeLink({ to, ...props }: Omit<LinkProps, 'to'> & { readonly to: string }) {
  return <Link to={withAsOf(to, useAsOf())} {...props} />;
}

/** The same for the main navigation. */
export function TimeNavLink({ to, ...props }: Omit<NavLinkProps, 'to'> & { readonly to: string }) {
  return <NavLink to={withAsOf(to, useAsOf())} {...props} />;
}
