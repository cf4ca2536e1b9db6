import { render } from 'preact';
import './styles/tokens.css';
import './ui/ui.css';
import './styles/app.css';
import './styles/console.css';
import './styles/desk.css';
import './styles/interactions.css';
import { App } from './app';
import { loadBranding } from './lib/branding';
import { SocketManager } from './lib/socket';

const root = document.getElementById('app');
if (!root) throw new Error('#app element missing from index.html');

// The white label and licence notice: defaults until the server's answer.
void loadBranding();

const socket = new SocketManager();
socket.start();

render(<App socket={socket} />, root);
