import { useId, type InputHTMLAttributes } from 'react';

export interface Option {
  readonly value: string;
  readonly label: string;
}

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement & HTMLSelectElement>, 'id' | 'children'> {
  readonly label: string;
  readonly name: string;
  readonly error?: string | undefined;
  readonly hint?: string | undefined;
  /** Renders a select with these options instead of a text input. */
  readonly options?: readonly Option[] | undefined;
  /** The label of a chosen value the options no longer hold (a search narrowed them since). */
  readonly labelOf?: ((value: string) => string | undefined) | undefined;
  /** A search box before the select, for options the server finds by name. */
  readonly search?: FieldSearch | undefined;
}

export interface FieldSearch {
  readonly label: string;
  readonly value: string;
  readonly onChange: (text: string) => void;
}

/** A labelled input whose error (from the server) sits right under it and is announced with it. */
export function Field({ label, name, error, hint, options, labelOf, search, ...input }: FieldProps) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, name, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy } as const;
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {search && (
        <input
          type="search"
          className="field-search"
          aria-label={search.label}
          placeholder="Type a name to narrow the list"
          value={search.value}
          maxLength={100}
          disabled={input.disabled}
          autoComplete="off"
          onChange={(event) => search.onChange(event.target.value)}
        />
      )}
      {options ? (
        <select {...common} {...input}>
          <option value="">Choose…</option>
          {typeof input.value === 'string' && input.value && !options.some((option) => option.value === input.value) && (
            <option value={input.value}>{labelOf?.(input.value) ?? input.value}</option>
          )}
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      ) : (
        <input {...common} {...input} />
      )}
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
