import { useEffect, useState } from 'preact/hooks';
import { genericMessage } from '../lib/auth';
import { messengerApi, type Group, type Person } from '../lib/messenger';
import { Banner, Button, CheckboxField, TextField } from '../ui';
import { useDebounced } from '../console/common';

export interface GroupFormProps {
  /** null: a new group. */
  group: Group | null;
  me: number;
  onSaved: (g: Group) => void;
  onCancel: () => void;
}

/** New or edited group: name, members (search from the third letter), Enable writing. */
export function GroupForm({ group, me, onSaved, onCancel }: GroupFormProps) {
  const [name, setName] = useState(group?.name ?? '');
  const [writable, setWritable] = useState(group?.writable ?? true);
  const [members, setMembers] = useState<Person[]>([]);
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Person[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const query = useDebounced(q.trim(), 200);

  useEffect(() => {
    if (!group) return;
    void messengerApi.group(group.id).then((r) => r.ok && setMembers((r.value.members ?? []).filter((p) => p.id !== me)));
  }, [group?.id]);
  useEffect(() => {
    if (query.length < 3) return setFound([]);
    void messengerApi.memberSearch(query).then((r) => r.ok && setFound(r.value));
  }, [query]);

  async function save(e: Event) {
    e.preventDefault();
    const body = { name: name.trim(), member_ids: members.map((m) => m.id), writable };
    const r = group ? await messengerApi.updateGroup(group.id, body) : await messengerApi.createGroup(body);
    if (!r.ok) {
      const fe: Record<string, string> = {};
      for (const x of r.error.errors) fe[x.field.replace(/\[\d+\]$/, '')] = x.message;
      setFieldErrors(fe);
      return setError(genericMessage(r.error));
    }
    onSaved(r.value);
  }

  return (
    <form class="stack stack--tight" onSubmit={(e) => void save(e)} aria-label={group ? 'Edit group' : 'New group'}>
      <h3 class="conversation__title">{group ? `Edit ${group.name}` : 'New group'}</h3>
      {error && (
        <Banner tone="error" role="alert">
          {error}
        </Banner>
      )}
      <TextField label="Group name" value={name} onValueChange={setName} maxLength={64} required error={fieldErrors['name']} />
      <TextField label="Add members" type="search" value={q} onValueChange={setQ} hint="Type at least three letters of a name." error={fieldErrors['member_ids']} />
      {found.length > 0 && (
        <ul class="pick-list" aria-label="Matching people">
          {found
            .filter((p) => p.id !== me)
            .map((p) => (
              <li key={p.id}>
                <span>{p.name}</span>
                {members.some((m) => m.id === p.id) ? (
                  <span class="muted small">Member</span>
                ) : (
                  <Button variant="secondary" onClick={() => setMembers((l) => [...l, p])} aria-label={`Add ${p.name}`}>
                    Add
                  </Button>
                )}
              </li>
            ))}
        </ul>
      )}
      <ul class="tags__list" aria-label="Members">
        {members.map((m) => (
          <li key={m.id} class="tag">
            {m.name}
            <button type="button" class="tag__remove" aria-label={`Remove ${m.name}`} onClick={() => setMembers((l) => l.filter((x) => x.id !== m.id))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <CheckboxField label="Enable writing" checked={writable} onCheckedChange={setWritable} hint="Off: members only receive the group's messages." />
      <div class="row row--end">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit">{group ? 'Save group' : 'Create group'}</Button>
      </div>
    </form>
  );
}
