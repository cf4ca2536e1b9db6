export { Banner } from './Banner';
export type { BannerProps, BannerTone } from './Banner';
export { Button } from './Button';
export type { ButtonProps, ButtonVariant } from './Button';
export { TextField } from './TextField';
export type { TextFieldProps } from './TextField';
