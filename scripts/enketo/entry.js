// What the browser test uses: the XForm transformer and the form engine, as window.VigieEnketo.
import { Form } from './enketo-core/src/js/form.js';
import { transform } from './node_modules/enketo-transformer/dist/enketo-transformer/web/transformer.js';

window.VigieEnketo = { Form, transform };
