import { sortGroups, type Group } from '../lib/messenger';
import { Button } from '../ui';

export interface GroupListProps {
  groups: Group[];
  me: number;
  isAdmin: boolean;
  canCreate: boolean;
  onOpen: (g: Group) => void;
  onNew: () => void;
  onEdit: (g: Group) => void;
  onDelete: (g: Group) => void;
}

/** The groups I am in (admins: all), newest conversation on top. */
export function GroupList({ groups, me, isAdmin, canCreate, onOpen, onNew, onEdit, onDelete }: GroupListProps) {
  return (
    <div class="stack stack--tight">
      {canCreate && (
        <div class="row row--end">
          <Button variant="secondary" onClick={onNew}>
            New group
          </Button>
        </div>
      )}
      {groups.length === 0 && <p class="muted small">No group yet.</p>}
      <ul class="conv-list" aria-label="Groups">
        {sortGroups(groups).map((g) => {
          const mine = isAdmin || g.created_by.id === me;
          return (
            <li key={g.id} class="conv-row">
              <button type="button" class="conv" onClick={() => onOpen(g)} aria-label={`Group ${g.name}${g.unread ? `, ${g.unread} unread` : ''}`}>
                <span class="conv__name">{g.name}</span>
                <span class="muted small">
                  {g.member_count} members{g.writable ? '' : ' · read only'}
                </span>
                {g.unread > 0 && <span class="count-badge">{g.unread}</span>}
              </button>
              {mine && (
                <>
                  <Button variant="ghost" onClick={() => onEdit(g)} aria-label={`Edit group ${g.name}`}>
                    Edit
                  </Button>
                  <Button variant="ghost" onClick={() => onDelete(g)} aria-label={`Delete group ${g.name}`}>
                    Delete
                  </Button>
                </>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
