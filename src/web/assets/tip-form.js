/* global document */
// The tip form with JavaScript: the message and every file are encrypted in
// the source's browser with OpenPGP.js (served from this site) to the desk's
// public keys, then a proof of work is done on the server's signed challenge,
// and only the ciphertexts are posted. Without this script the form posts as
// is and the server encrypts on arrival.
import * as openpgp from '/assets/openpgp.min.mjs';

const enc = new TextEncoder();

function zeroBits(bytes) {
  let bits = 0;
  for (const b of bytes) {
    if (b === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(b) - 24;
  }
  return bits;
}

/** Finds a nonce whose SHA-256 with the challenge starts with the challenge's number of zero bits. */
async function proofOfWork(challenge) {
  const bits = Number(challenge.split('.')[2]);
  for (let n = 0; ; n++) {
    const nonce = n.toString(36);
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(`${challenge}:${nonce}`)));
    if (zeroBits(hash) >= bits) return `${challenge}:${nonce}`;
  }
}

// The day's midnight (UTC): the only date the sealed file carries, as on the server.
function today() {
  return new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
}

async function seal(bytes, filename, keys) {
  const message = await openpgp.createMessage({ binary: bytes, filename, date: today(), format: 'binary' });
  return openpgp.encrypt({ message, encryptionKeys: keys, format: 'armored' });
}

for (const form of document.querySelectorAll('form.tip-form[data-keys]')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = form.querySelector('.tip-status');
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    status.textContent = form.dataset.working;
    try {
      const keys = await Promise.all(JSON.parse(form.dataset.keys).map((armoredKey) => openpgp.readKey({ armoredKey })));
      const body = new FormData();
      const code = form.querySelector('input[name=code]');
      if (code) body.append('code', code.value);
      const text = form.querySelector('textarea[name=message]').value;
      if (text.trim()) body.append('sealed-message', new Blob([await seal(enc.encode(text), 'message.txt', keys)]), 'message.asc');
      for (const file of form.querySelector('input[name=files]').files) {
        const sealed = await seal(new Uint8Array(await file.arrayBuffer()), file.name, keys);
        body.append('sealed-files', new Blob([sealed]), 'file.asc');
      }
      body.append('pow', await proofOfWork(form.dataset.challenge));
      const response = await fetch(form.action, { method: 'POST', body });
      const page = await response.text();
      document.open();
      document.write(page);
      document.close();
    } catch {
      status.textContent = form.dataset.failed;
      button.disabled = false;
    }
  });
}
