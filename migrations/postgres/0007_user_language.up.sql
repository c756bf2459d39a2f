-- The language a person chose in the header's switcher (a locale tag such
-- as 'pt-BR', src/i18n), so it follows them to other devices: set again in
-- their browser at each log-in. NULL: never chose; the browser's
-- Accept-Language decides.
ALTER TABLE users ADD COLUMN language TEXT;
