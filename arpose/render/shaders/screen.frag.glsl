#version 330
uniform sampler2D u_tex;  // row 0 = top of the image, so v_uv.y is the image row
uniform float u_opacity;
in vec2 v_uv;
out vec4 f_color;
void main() {
    vec4 c = texture(u_tex, v_uv);
    f_color = vec4(c.rgb, c.a * u_opacity);
}
