import { useState, type FormEvent, type ReactNode } from 'react';
import { Field, type FieldSearch, type Option } from '../components/Field.tsx';
import { useReadOnly } from '../time/ViewTime.tsx';
import { formErrors, type FormErrors } from './errors.ts';

export interface FieldSpec {
  readonly name: string;
  readonly label: string;
  readonly hint?: string;
  readonly required?: boolean;
  readonly inputMode?: 'text' | 'decimal';
  readonly autoComplete?: string;
  readonly placeholder?: string;
  readonly options?: readonly Option[];
  readonly labelOf?: (value: string) => string | undefined;
  readonly search?: FieldSearch;
}

export type Values = Record<string, string>;

export interface EntityFormProps {
  /** Accessible name of the form, e.g. "New product". */
  readonly title: string;
  readonly fields: readonly FieldSpec[];
  readonly initial: Values;
  readonly submitLabel: string;
  /** Sends the mutation; resolves to the message to show, throws the mutation's error. */
  readonly onSubmit: (values: Values) => Promise<ReactNode>;
  /** Loads the entity as it is now, after a CONFLICT; the form then shows those values. */
  readonly onReload?: () => Promise<Values>;
  /** Clears the inputs after a success (create forms). */
  readonly resetOnSuccess?: boolean;
  readonly children?: ReactNode;
}

/**
 * A form for one mutation: the server decides what is valid, and its errors are shown next to
 * the field they name. A CONFLICT (someone else changed the entity first) offers to reload it.
 */
export function EntityForm({
  title,
  fields,
  initial,
  submitLabel,
  onSubmit,
  onReload,
  resetOnSuccess = false,
  children,
}: EntityFormProps) {
  const [values, setValues] = useState<Values>(initial);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [status, setStatus] = useState<ReactNode>(null);
  const [busy, setBusy] = useState(false);
  // The past cannot be changed: while it is shown, every form is there to read, not to send.
  const readOnly = useReadOnly();

  // Only errors of fields on screen go next to a field; the rest are shown for the whole form.
  const shown = () => Object.fromEntries(fields.map((spec) => [spec.name, values[spec.name] ?? '']));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (readOnly) return;
    setBusy(true);
    setStatus(null);
    try {
      const message = await onSubmit(values);
      setErrors({ fields: {} });
      setStatus(message);
      if (resetOnSuccess) setValues(initial);
    } catch (error) {
      setErrors(formErrors(error, shown()));
    } finally {
      setBusy(false);
    }
  }

  async function reload() {
    if (!onReload) return;
    setBusy(true);
    try {
      setValues(await onReload());
      setErrors({ fields: {} });
      setStatus('Reloaded the current version. Check the values and save again.');
    } catch (error) {
      setErrors(formErrors(error, shown()));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="entity-form" aria-label={title} onSubmit={submit} noValidate>
      <div className="fields">
        {fields.map((spec) => (
          <Field
            key={spec.name}
            name={spec.name}
            label={spec.label}
            hint={spec.hint}
            options={spec.options}
            labelOf={spec.labelOf}
            search={spec.search}
            required={spec.required}
            inputMode={spec.inputMode}
            autoComplete={spec.autoComplete ?? 'off'}
            placeholder={spec.placeholder}
            value={values[spec.name] ?? ''}
            disabled={readOnly}
            error={errors.fields[spec.name]}
            onChange={(event) => setValues((current) => ({ ...current, [spec.name]: event.target.value }))}
          />
        ))}
      </div>
      {errors.conflict && (
        <div className="notice notice-warning" role="alert">
          <p>{errors.conflict}</p>
          {onReload && (
            <button type="button" onClick={reload} disabled={busy}>
              Reload current version
            </button>
          )}
        </div>
      )}
      {errors.form && (
        <p className="notice notice-error" role="alert">
          {errors.form}
        </p>
      )}
      {readOnly && <p className="hint read-only-note">Viewing the past: changes are made in the live view.</p>}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || readOnly}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        {children}
      </div>
      <p className="form-status" role="status">
        {status}
      </p>
    </form>
  );
}
