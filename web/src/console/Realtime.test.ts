import { describe, expect, it } from 'vitest';
import { boardEvent } from './Realtime';

const board = () => ({
  queues: [{ queue_id: 1, channel: 'openchannel', waiting: 0, offered: 0, members: 2, available: 1 }],
  agents: [{ agent_id: 5, logged_in: ['openchannel'], paused: false, open_tabs: 0, offers: 0 }],
});

describe('realtime board events', () => {
  it('realtime.queue updates the counts of a queue on the board and keeps its channel', () => {
    const b = boardEvent(board(), { type: 'realtime.queue', data: { queue_id: 1, waiting: 3, offered: 1, members: 2, available: 0 } });
    expect(b.queues[0]).toEqual({ queue_id: 1, channel: 'openchannel', waiting: 3, offered: 1, members: 2, available: 0 });
  });

  it('a queue outside the board (scope, or created since) is left to the next sync', () => {
    const before = board();
    expect(boardEvent(before, { type: 'realtime.queue', data: { queue_id: 9, waiting: 1 } })).toBe(before);
  });

  it('agent.state (a channel map) replaces or adds the agent row', () => {
    let b = boardEvent(board(), { type: 'agent.state', data: { agent_id: 5, logged_in: { openchannel: false, sms: true, chat: true }, paused: true, open_tabs: 2, offers: 1 } });
    expect(b.agents[0]).toEqual({ agent_id: 5, logged_in: ['chat', 'sms'], paused: true, open_tabs: 2, offers: 1 });
    b = boardEvent(b, { type: 'agent.state', data: { agent_id: 6, logged_in: {}, paused: false, open_tabs: 0, offers: 0 } });
    expect(b.agents.map((a) => a.agent_id)).toEqual([5, 6]);
  });
});
