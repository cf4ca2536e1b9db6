import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { Button, Menu, SelectField, TextField } from '../ui';
import {
  addCondition,
  arity,
  changeField,
  checkDraft,
  clearConditions,
  describe,
  fieldOf,
  MAX_CONDITIONS,
  newDraft,
  opLabel,
  removeCondition,
  setMatch,
  toggleCondition,
  updateCondition,
  type Condition,
  type ConditionError,
  type Draft,
  type Search,
  type SearchField,
} from './model';

export interface SearchBuilderProps {
  fields: SearchField[];
  value: Search;
  onChange: (s: Search) => void;
  /** Runs the search (the "Search" button). */
  onSearch: () => void;
  /** Problems of the conditions (from validation or the server's 422), by index. */
  errors: ConditionError[];
  /** Choices for integer fields that name things (agent → staff, queue → queues). */
  choices?: Record<string, { value: string; label: string }[]>;
  busy?: boolean;
}

type PartErrors = Partial<Record<'field' | 'op' | 'value', string>>;

/**
 * The advanced search form (seed 004 "Interactions"): pick a field, an operator and a value
 * and add the condition; conditions show as chips — click one for Edit, Disable/Enable and
 * Delete, or its × to delete it; "Delete all" clears them; all/any chooses how they combine;
 * Search runs it. The parent owns the search (pure model in ./model.ts).
 */
export function SearchBuilder({ fields, value, onChange, onSearch, errors, choices = {}, busy = false }: SearchBuilderProps) {
  const id = useId();
  const first = fields[0];
  const [draft, setDraft] = useState<Draft | null>(first ? newDraft(first) : null);
  const [editing, setEditing] = useState<number | null>(null);
  const [draftErrors, setDraftErrors] = useState<PartErrors>({});
  const fieldSelect = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!draft && first) setDraft(newDraft(first));
  }, [first, draft]);

  if (!draft) return <p class="muted">No search field is available.</p>;
  const field = fieldOf(fields, draft.field);

  function submit(e: Event) {
    e.preventDefault();
    if (!draft) return;
    const errs = checkDraft(draft, fields, value, editing);
    if (errs.length) {
      setDraftErrors(Object.fromEntries(errs.map((x) => [x.part, x.message])));
      return;
    }
    setDraftErrors({});
    if (editing !== null) {
      onChange(updateCondition(value, editing, draft));
      setEditing(null);
    } else onChange(addCondition(value, draft));
    if (first) setDraft(newDraft(fieldOf(fields, draft.field) ?? first));
  }

  function edit(c: Condition) {
    setEditing(c.key);
    setDraft({ field: c.field, op: c.op, value: c.value, value2: c.value2 });
    setDraftErrors({});
    setTimeout(() => fieldSelect.current?.querySelector('select')?.focus(), 0);
  }

  function cancelEdit() {
    setEditing(null);
    setDraftErrors({});
    if (first) setDraft(newDraft(first));
  }

  const n = arity(draft.op);
  const opts = field && n === 1 && (draft.op === 'equals' || draft.op === 'not_equals') ? choices[field.name] : undefined;

  function valueInput(which: 'value' | 'value2', label: string) {
    if (!field || !draft) return null;
    const v = draft[which];
    const set = (x: string) => setDraft({ ...draft, [which]: x });
    // between: one message for both bounds, under the form.
    const err = n === 1 ? draftErrors.value : undefined;
    if (field.type === 'enum') return <SelectField label={label} value={v} options={field.values.map((x) => ({ value: x, label: x }))} onValueChange={set} error={err} />;
    if (field.type === 'boolean') {
      const names = field.name === 'read' ? ['Read', 'Unread'] : ['Yes', 'No'];
      return <SelectField label={label} value={v} options={[{ value: 'true', label: names[0] as string }, { value: 'false', label: names[1] as string }]} onValueChange={set} error={err} />;
    }
    if (opts && which === 'value') return <SelectField label={label} value={v} options={[{ value: '', label: 'Choose…' }, ...opts]} onValueChange={set} error={err} />;
    const type = field.type === 'integer' ? 'number' : field.type === 'datetime' ? 'datetime-local' : 'text';
    return <TextField label={label} type={type} value={v} onValueChange={set} error={err} {...(field.type === 'integer' ? { step: 1, inputMode: 'numeric' as const } : {})} maxLength={256} />;
  }

  const byIndex = new Map<number, string[]>();
  for (const e of errors) byIndex.set(e.index, [...(byIndex.get(e.index) ?? []), e.message]);

  return (
    <section class="search-builder" aria-labelledby={`${id}-title`}>
      <h2 class="section-title" id={`${id}-title`}>
        Advanced search
      </h2>
      <form class="search-builder__form" onSubmit={submit} noValidate aria-label={editing !== null ? 'Edit condition' : 'New condition'}>
        <div ref={fieldSelect}>
          <SelectField
            label="Field"
            value={draft.field}
            options={fields.map((x) => ({ value: x.name, label: x.label }))}
            onValueChange={(name) => {
              const nf = fieldOf(fields, name);
              if (nf) setDraft(changeField(draft, nf, fields));
              setDraftErrors({});
            }}
            error={draftErrors.field}
          />
        </div>
        <SelectField
          label="Operator"
          value={draft.op}
          options={(field?.ops ?? []).map((o) => ({ value: o, label: opLabel(field, o) }))}
          onValueChange={(o) => setDraft({ ...draft, op: o as Draft['op'] })}
          error={draftErrors.op}
        />
        {n >= 1 && valueInput('value', n === 2 ? 'From' : 'Value')}
        {n === 2 && valueInput('value2', 'To')}
        <div class="search-builder__form-actions">
          <Button type="submit" variant="secondary" disabled={editing === null && value.conditions.length >= MAX_CONDITIONS}>
            {editing !== null ? 'Save condition' : 'Add condition'}
          </Button>
          {editing !== null && (
            <Button variant="ghost" onClick={cancelEdit}>
              Cancel
            </Button>
          )}
        </div>
      </form>
      {n === 2 && draftErrors.value && (
        <div class="field__error" role="alert">
          {draftErrors.value}
        </div>
      )}

      <div class="search-builder__conds">
        {value.conditions.length === 0 ? (
          <p class="muted small">No condition: every interaction of the filters above is listed.</p>
        ) : (
          <ul class="cond-list" aria-label="Search conditions">
            {value.conditions.map((c, i) => (
              <ConditionChip
                key={c.key}
                text={describe(c, fields)}
                condition={c}
                editing={editing === c.key}
                problems={byIndex.get(i) ?? []}
                onEdit={() => edit(c)}
                onToggle={() => onChange(toggleCondition(value, c.key))}
                onDelete={() => {
                  if (editing === c.key) cancelEdit();
                  onChange(removeCondition(value, c.key));
                }}
              />
            ))}
          </ul>
        )}
      </div>

      <div class="search-builder__foot">
        <fieldset class="search-builder__match">
          <legend class="field__label">Conditions to meet</legend>
          <div class="check-row">
            {(['all', 'any'] as const).map((m) => (
              <div class="check" key={m}>
                <input id={`${id}-match-${m}`} type="radio" class="check__input" name={`${id}-match`} checked={value.match === m} onChange={() => onChange(setMatch(value, m))} />
                <label class="check__label" for={`${id}-match-${m}`}>
                  {m === 'all' ? 'All of them' : 'At least one'}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
        <div class="row">
          <Button
            variant="ghost"
            disabled={value.conditions.length === 0}
            onClick={() => {
              cancelEdit();
              onChange(clearConditions(value));
            }}
          >
            Delete all conditions
          </Button>
          <Button onClick={onSearch} disabled={busy}>
            Search
          </Button>
        </div>
      </div>
    </section>
  );
}

interface ChipProps {
  text: string;
  condition: Condition;
  editing: boolean;
  problems: string[];
  onEdit: () => void;
  onToggle: () => void;
  onDelete: () => void;
}

/** One condition: its words (a menu button: Edit, Disable/Enable, Delete) and a delete ×. */
function ConditionChip({ text, condition, editing, problems, onEdit, onToggle, onDelete }: ChipProps) {
  const id = useId();
  const off = condition.disabled;
  const cls = `cond${off ? ' cond--off' : ''}${problems.length ? ' cond--invalid' : ''}${editing ? ' cond--editing' : ''}`;
  return (
    <li class={cls} data-testid="condition">
      <Menu
        buttonClass="cond__text"
        button={
          <>
            {text}
            {off && <span class="cond__state">{'\u00a0(disabled)'}</span>}
          </>
        }
        describedBy={problems.length ? `${id}-err` : undefined}
        items={[
          { label: 'Edit', onSelect: onEdit },
          { label: off ? 'Enable' : 'Disable', onSelect: onToggle },
          { label: 'Delete', onSelect: onDelete, danger: true },
        ]}
      />
      <button type="button" class="cond__x" aria-label={`Delete condition: ${text}`} onClick={onDelete}>
        ×
      </button>
      {problems.length > 0 && (
        <span class="field__error cond__error" id={`${id}-err`} role="alert">
          {problems.join(' ')}
        </span>
      )}
    </li>
  );
}
