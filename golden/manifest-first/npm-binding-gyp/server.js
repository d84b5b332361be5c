let impl;
try { impl = require('./build/Release/fasthash.node'); console.log('native addon loaded, hash =', impl.hash()); }
catch (e) { console.log('native addon MISSING:', e.code || e.message); process.exitCode = 3; }
console.log('cwd', process.cwd(), 'NODE_ENV', process.env.NODE_ENV);
const fs = require('fs'); console.log('files', fs.readdirSync('.').sort().join(' '));
