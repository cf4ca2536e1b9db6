import { useState } from 'preact/hooks';
import { genericMessage } from '../lib/auth';
import { deskApi, type Interaction } from '../lib/desk';
import { Button, TextField } from '../ui';

export interface TagEditorProps {
  interaction: Interaction;
  onChange: (ix: Interaction) => void;
}

const MAX_TAGS = 20;

/** The interaction's tags: add (Enter) and remove; saved at once (PUT replaces them). */
export function TagEditor({ interaction, onChange }: TagEditorProps) {
  const [tag, setTag] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  async function save(tags: string[]) {
    const r = await deskApi.tags(interaction.id, tags);
    if (!r.ok) return setError(r.error.errors[0]?.message ?? genericMessage(r.error));
    setError(undefined);
    setTag('');
    onChange(r.value);
  }
  function add(e: Event) {
    e.preventDefault();
    const t = tag.trim();
    if (!t) return;
    if (t.length > 64) return setError('A tag has at most 64 characters.');
    if (interaction.tags.includes(t)) return setError('This tag is already there.');
    if (interaction.tags.length >= MAX_TAGS) return setError(`At most ${MAX_TAGS} tags.`);
    void save([...interaction.tags, t]);
  }
  return (
    <div class="tags">
      <ul class="tags__list" aria-label="Tags">
        {interaction.tags.map((t) => (
          <li key={t} class="tag">
            {t}
            <button type="button" class="tag__remove" aria-label={`Remove tag ${t}`} onClick={() => void save(interaction.tags.filter((x) => x !== t))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <form class="row tags__add" onSubmit={add}>
        <TextField label="Add tag" value={tag} onValueChange={setTag} error={error} maxLength={64} />
        <Button type="submit" variant="secondary">
          Add
        </Button>
      </form>
    </div>
  );
}
