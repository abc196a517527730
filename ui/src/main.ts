import { applyTheme, loadTheme } from './theme.js';
import './th-app.js';

applyTheme(loadTheme());
