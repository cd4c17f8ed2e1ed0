/* global document */
// Opens a tip in the member's browser: their private key and passphrase stay
// in this page (never sent anywhere); each part is fetched as ciphertext and
// decrypted here with OpenPGP.js served from this origin.
(function () {
  const form = document.getElementById('open-tip');
  if (!form) return;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const out = document.getElementById('opened');
    out.textContent = '';
    try {
      const openpgp = await import('/assets/openpgp.min.mjs');
      let key = await openpgp.readPrivateKey({ armoredKey: form.elements['private-key'].value });
      const passphrase = form.elements.passphrase.value;
      if (!key.isDecrypted()) key = await openpgp.decryptKey({ privateKey: key, passphrase });
      for (const link of document.querySelectorAll('a.tip-part')) {
        const armored = await (await fetch(link.href)).text();
        const message = await openpgp.readMessage({ armoredMessage: armored });
        const { data, filename } = await openpgp.decrypt({ message, decryptionKeys: key, format: 'binary' });
        const item = document.createElement('section');
        const title = document.createElement('h3');
        title.textContent = link.dataset.kind;
        item.append(title);
        if (filename === 'message.txt' || filename === '') {
          const text = document.createElement('pre');
          text.textContent = new TextDecoder().decode(data);
          item.append(text);
        } else {
          const file = document.createElement('a');
          file.href = URL.createObjectURL(new Blob([data]));
          file.download = filename;
          file.textContent = filename;
          item.append(file);
        }
        out.append(item);
      }
    } catch (err) {
      out.textContent = `Could not open the tip: ${err.message}`;
    }
  });
})();
